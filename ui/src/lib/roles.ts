// Roles as people read them, in tier order, matching opsdesk-core's matrix.
import type { Role } from "./generated/Role";
import type { Permission } from "./generated/Permission";
import type { Me } from "./generated/Me";

export const ROLES: readonly Role[] = ["viewer", "agent", "senior_agent", "engineer", "manager", "security_officer", "admin"];

const LABELS: Record<Role, string> = {
  viewer: "Viewer",
  agent: "Agent",
  senior_agent: "Senior agent",
  engineer: "Engineer",
  manager: "Manager",
  security_officer: "Security officer",
  admin: "Admin",
};

/** "Senior agent". */
export function roleLabel(role: Role): string {
  return LABELS[role];
}

/** 1 (viewer) to 7 (admin). */
export function tier(role: Role): number {
  return ROLES.indexOf(role) + 1;
}

/** Whether the signed-in person holds `permission` (as the hub computed it). */
export function can(me: Me | null, permission: Permission): boolean {
  return !!me && me.capabilities.active && me.capabilities.permissions.some((p) => p.permission === permission);
}
