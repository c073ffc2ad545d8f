// Entry of the engine's utility process: hosts one ReportService and serves it
// to the main process over the parent port. No window, no `electron` import:
// `process.parentPort` is all Electron gives a utility process.
import { ReportService } from './engine/service.ts';
import { serveEngine, type RelayPort } from './engine-relay.ts';

const parentPort = process.parentPort;
if (!parentPort) throw new Error('engine-process runs only as an Electron utility process.');

const port: RelayPort = {
  postMessage: (message) => parentPort.postMessage(message),
  onMessage: (listener) => {
    const onMessage = (event: Electron.MessageEvent): void => listener(event.data);
    parentPort.on('message', onMessage);
    return () => parentPort.off('message', onMessage);
  },
};

serveEngine(port, ({ secrets: _passwords, ...options }, secrets) => ReportService.open({ ...options, secrets, host: 'electron' }));
