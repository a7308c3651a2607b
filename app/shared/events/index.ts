export * from './subjects';
export * from './call-events';
export * from './connection-events';
export * from './event-ids';
export * from './ports';
export * from './call-commands';
export * from './directory-changes';
