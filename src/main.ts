// The band app's entry: make the services once, then mount the app.
import { createServices } from './ui/services.js';
import './ui/components/app-shell.js';
import type { AppShell } from './ui/components/app-shell.js';
import { theme } from './ui/styles.js';

// The colour tokens live on the document so that every component's shadow root inherits them.
document.adoptedStyleSheets = [...document.adoptedStyleSheets, theme.styleSheet!];

const services = await createServices();
const app = document.createElement('backline-app') as AppShell;
app.services = services;
document.body.replaceChildren(app);
