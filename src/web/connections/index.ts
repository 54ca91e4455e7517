/** What other pages mount: the member profile page (request + block/report), chat (block/report). */
export { KenalanRequestButton } from './KenalanRequestButton.js';
export { BlockReportMenu } from './BlockReportMenu.js';
