import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import './grid/ag-setup.ts';
import './styles/index.css';
import { App } from './components/App.tsx';
import { startApp } from './state/actions.ts';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
void startApp();
