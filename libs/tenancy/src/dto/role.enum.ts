import { registerEnumType } from '@nestjs/graphql';
import { Role } from '@app/db';

registerEnumType(Role, { name: 'Role', description: "A member's role in a tenant" });

export { Role };
