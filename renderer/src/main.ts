import { createApp } from 'vue';
import App from './App.vue';
import './style.css';
import { state } from './store.js';

document.documentElement.dataset['theme'] = state.theme;
createApp(App).mount('#app');
