import { operation } from '../operation';
import type { Role } from './accounts';

export interface Member {
  userId: string;
  email: string;
  role: Role;
  joinedAt: string;
}

export interface Invitation {
  id: string;
  email: string;
  role: Role;
  expiresAt: string;
  acceptedAt: string | null;
  token: string | null;
}

export const MembersQuery = operation<{ tenantMembers: Member[]; invitations: Invitation[] }>(
  `query Members { tenantMembers { userId email role joinedAt } invitations { id email role expiresAt acceptedAt } }`,
);

export const InviteMemberMutation = operation<{ inviteMember: Invitation }, { input: { email: string; role: Role } }>(
  `mutation InviteMember($input: InviteMemberInput!) { inviteMember(input: $input) { id email role expiresAt acceptedAt token } }`,
);

export const UpdateMemberRoleMutation = operation<{ updateMemberRole: boolean }, { userId: string; role: Role }>(
  `mutation UpdateMemberRole($userId: ID!, $role: Role!) { updateMemberRole(userId: $userId, role: $role) }`,
);

export const RemoveMemberMutation = operation<{ removeMember: boolean }, { userId: string }>(
  `mutation RemoveMember($userId: ID!) { removeMember(userId: $userId) }`,
);
