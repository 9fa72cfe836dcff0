export * from './api-key-format';
export * from './api-key.error';
export * from './api-key-cache';
export * from './api-key-verifier.service';
export * from './api-key.service';
export * from './api-keys.module';
export * from './dto/api-key.type';
