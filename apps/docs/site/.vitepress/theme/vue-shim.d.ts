// Single-file components as seen by tsc (Vite compiles them; vue-tsc is not needed for this).
declare module '*.vue' {
  import type { DefineComponent } from 'vue';

  const component: DefineComponent;
  export default component;
}
