// Placeholder: replaced by the batch download drawer.
export function BatchDrawer() {
  return null;
}
