// Globals the page defines before the app's modules load (index.html) or for embedding pages.
interface Window {
  /** The server's base path, e.g. "/infinite_image_browsing". */
  IIB_BASE: string;
  /** Where the static assets are served: IIB_BASE + "/fe-static/". */
  IIB_ASSETS: string;
  /** Helpers for pages that embed IIB in an iframe. */
  iib?: Record<string, (...args: any[]) => any>;
}
