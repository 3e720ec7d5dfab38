// Types for the vendored ES modules under iib_core/web/vendor, which the browser loads
// through the import map in index.html. Only what the UI uses is declared; tsc reads
// these instead of the minified vendor files (which are not checked).

declare module 'preact' {
  export type VNode = any;
  export type ComponentChildren = any;
  export function h(type: any, props?: any, ...children: any[]): VNode;
  export function render(vnode: any, parent: Element | DocumentFragment): void;
}

declare module 'preact/hooks' {
  type Inputs = ReadonlyArray<unknown>;
  export function useState<S>(initial: S | (() => S)): [S, (next: S | ((prev: S) => S)) => void];
  export function useState<S = undefined>(): [S | undefined, (next: S | ((prev: S | undefined) => S)) => void];
  export function useRef<T>(initial: T): { current: T };
  export function useRef<T = undefined>(): { current: T | undefined };
  export function useEffect(effect: () => void | (() => void), inputs?: Inputs): void;
  export function useLayoutEffect(effect: () => void | (() => void), inputs?: Inputs): void;
  export function useMemo<T>(factory: () => T, inputs: Inputs | undefined): T;
  export function useCallback<T extends (...args: any[]) => any>(callback: T, inputs: Inputs): T;
  export function useReducer<S, A>(reducer: (state: S, action: A) => S, initial: S): [S, (action: A) => void];
}

declare module 'htm' {
  const htm: { bind(h: any): (strings: TemplateStringsArray, ...values: any[]) => any };
  export default htm;
}

declare module '@preact/signals' {
  export interface ReadonlySignal<T> {
    readonly value: T;
    peek(): T;
    subscribe(fn: (value: T) => void): () => void;
  }
  export interface Signal<T> extends ReadonlySignal<T> {
    value: T;
  }
  export function signal<T>(value: T): Signal<T>;
  export function computed<T>(fn: () => T): ReadonlySignal<T>;
  export function effect(fn: () => void | (() => void)): () => void;
  export function batch<T>(fn: () => T): T;
  export function untracked<T>(fn: () => T): T;
  export function useSignal<T>(value: T): Signal<T>;
  export function useComputed<T>(fn: () => T): ReadonlySignal<T>;
  export function useSignalEffect(fn: () => void | (() => void)): void;
}

declare module '@tanstack/virtual-core' {
  export class Virtualizer<S = any, I = any> {
    constructor(options: any);
    options: any;
    scrollElement: S | null;
    setOptions(options: any): void;
    getVirtualItems(): Array<{ index: number; start: number; end: number; size: number; key: any; lane: number }>;
    getTotalSize(): number;
    scrollToIndex(index: number, options?: any): void;
    scrollToOffset(offset: number, options?: any): void;
    measure(): void;
    _didMount(): () => void;
    _willUpdate(): void;
    [key: string]: any;
  }
  export const observeElementRect: any;
  export const observeElementOffset: any;
  export const elementScroll: any;
}
