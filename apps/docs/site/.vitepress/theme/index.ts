import type { Theme } from 'vitepress';
import DefaultTheme from 'vitepress/theme';
import ActivationExplorer from './ActivationExplorer.vue';
import AdversarialDemo from './AdversarialDemo.vue';
import GradientFlow from './GradientFlow.vue';
import MaskDemo from './MaskDemo.vue';

export default {
  extends: DefaultTheme,
  enhanceApp({ app }) {
    app.component('ActivationExplorer', ActivationExplorer);
    app.component('GradientFlow', GradientFlow);
    app.component('AdversarialDemo', AdversarialDemo);
    app.component('MaskDemo', MaskDemo);
  },
} satisfies Theme;
