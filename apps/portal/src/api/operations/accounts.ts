import { operation } from '../operation';

export type Role = 'OWNER' | 'ADMIN' | 'DEVELOPER' | 'BILLING' | 'AUDITOR';
export const ROLES: Role[] = ['OWNER', 'ADMIN', 'DEVELOPER', 'BILLING', 'AUDITOR'];

export interface Tenant {
  id: string;
  name: string;
  plan: string;
}

export interface Me {
  id: string;
  email: string;
  name: string | null;
  role: Role | null;
  currentTenantId: string | null;
  memberships: { role: Role; tenant: Tenant }[];
}

const ME_FIELDS = `id email name role currentTenantId memberships { role tenant { id name plan } }`;

export const MeQuery = operation<{ me: Me | null }>(`query Me { me { ${ME_FIELDS} } }`);

export interface SignUpInput {
  email: string;
  password: string;
  tenantName?: string;
  name?: string;
  invitationToken?: string;
}

/** signedIn false: the server started no session (SIGNUP_SESSION=after-verification); the e-mailed link logs in. */
export const SignUpMutation = operation<{ signUp: { signedIn: boolean; user: Me } }, { input: SignUpInput }>(
  `mutation SignUp($input: SignUpInput!) { signUp(input: $input) { signedIn user { ${ME_FIELDS} } } }`,
);

/** Confirms the address; with SIGNUP_SESSION=after-verification it also logs in (sets the cookies). */
export const VerifyEmailMutation = operation<{ verifyEmail: { id: string } }, { token: string }>(
  `mutation VerifyEmail($token: String!) { verifyEmail(token: $token) { id } }`,
);

export const RequestPasswordResetMutation = operation<{ requestPasswordReset: boolean }, { email: string }>(
  `mutation RequestPasswordReset($email: String!) { requestPasswordReset(email: $email) }`,
);

export const ResetPasswordMutation = operation<{ resetPassword: boolean }, { token: string; password: string }>(
  `mutation ResetPassword($token: String!, $password: String!) { resetPassword(token: $token, password: $password) }`,
);

export const LogInMutation = operation<{ logIn: { user: Me } }, { input: { email: string; password: string } }>(
  `mutation LogIn($input: LogInInput!) { logIn(input: $input) { user { ${ME_FIELDS} } } }`,
);

export const LogOutMutation = operation<{ logOut: boolean }>(`mutation LogOut { logOut }`);

export const SwitchTenantMutation = operation<{ switchTenant: Tenant }, { tenantId: string }>(
  `mutation SwitchTenant($tenantId: ID!) { switchTenant(tenantId: $tenantId) { id name plan } }`,
);

export const CreateTenantMutation = operation<{ createTenant: Tenant }, { name: string }>(
  `mutation CreateTenant($name: String!) { createTenant(name: $name) { id name plan } }`,
);

export const AcceptInvitationMutation = operation<{ acceptInvitation: string }, { token: string }>(
  `mutation AcceptInvitation($token: String!) { acceptInvitation(token: $token) }`,
);
