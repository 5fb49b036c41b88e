import type { Theme } from 'vitepress';
import DefaultTheme from 'vitepress/theme';
import ActivationExplorer from './ActivationExplorer.vue';
import GradientFlow from './GradientFlow.vue';

export default {
  extends: DefaultTheme,
  enhanceApp({ app }) {
    app.component('ActivationExplorer', ActivationExplorer);
    app.component('GradientFlow', GradientFlow);
  },
} satisfies Theme;
