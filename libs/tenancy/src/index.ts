export * from './sessions/session.service';
export * from './sessions/session-cookies';
export * from './tenants/tenant.service';
export * from './dto/tenant.type';
export * from './dto/user.type';
export * from './dto/role.enum';
export * from './tenancy.module';
export { accountConfigSchema } from './accounts/account-config';
