/**
 * @kapok/contracts: what the server and the web console share — the codes on the wire, the views the API answers
 * with, and the socket.io event maps of `/agent` and `/monitor`. Plain TypeScript only (no framework, no Node):
 * the console bundles it for the browser (eslint refuses other imports here).
 */
export * from './enums';
export * from './auth';
export * from './org';
export * from './admin';
export * from './admin-users';
export * from './contacts';
export * from './records';
export * from './stats';
export * from './socket';
export * from './agent-socket';
export * from './monitor-socket';
export * from './conversations';
export * from './alerts';
