/**
 * @app/auth: the auth primitives every domain library needs and nothing above them: who is
 * calling (Principal, RequestContext), what they may do (scopes, role permissions) and the
 * decorators that declare it on resolvers and controllers (@RequirePermission, @Public,
 * @SessionOnly, @Ctx, @CurrentTenant). The global guard that enforces them lives in the api app.
 */
export * from './scopes';
export * from './principal';
export * from './auth.decorators';
