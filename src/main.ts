import './ui/demo-page.js';
