// The user-data model: schema, validation with positions, editing, the wizard form.
export * from './diagnostics';
export * from './schema';
export * from './ipv4';
export * from './ssh-keys';
export * from './edge-host-id';
export * from './typos';
export * from './yaml-doc';
export * from './yaml-edit';
export * from './validate';
export * from './rules';
export * from './network-convert';
export * from './form';
