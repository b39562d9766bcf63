// The tenant in scope, as the header's switcher, the Grants tab and the tenant portal share it:
// what the core holds for this session (never on disk), a one-second clock for countdowns, and
// the notice shown once when a tenant's access ends.
import { api, asUiError, type UiError } from "../lib/api";
import { endedNotice, GRANT_GONE_CODES, timeLeft } from "../lib/access";
import type { TenantScope } from "../lib/generated/TenantScope";

interface ScopeState {
  scope: TenantScope | null;
  /** The tenant portal is showing the tenant in scope. */
  portal: boolean;
  /** "Access to Acme Corp ended", until dismissed. */
  notice: string | null;
  error: UiError | null;
  /** Milliseconds since the epoch, ticking every second while anything counts down. */
  now: number;
}

export const tenantScope: ScopeState = $state({ scope: null, portal: false, notice: null, error: null, now: Date.now() });

let ticker: ReturnType<typeof setInterval> | undefined;
let ticking = 0;

/** Starts the one-second clock for as long as the returned function is not called. */
export function useClock(): () => void {
  ticking += 1;
  if (!ticker) {
    tenantScope.now = Date.now();
    ticker = setInterval(tick, 1000);
  }
  return () => {
    ticking -= 1;
    if (ticking <= 0 && ticker) {
      clearInterval(ticker);
      ticker = undefined;
      ticking = 0;
    }
  };
}

// The grant whose end was already reported to the core, so it is asked once, not every second.
let expired: string | null = null;

function tick() {
  tenantScope.now = Date.now();
  const grant = tenantScope.scope?.grant;
  // The grant in scope ran out: ask the core, which drops the tenant and says it ended.
  if (grant && grant.id !== expired && timeLeft(grant, tenantScope.now) <= 0) {
    expired = grant.id;
    void refreshScope();
  }
}

function take(scope: TenantScope) {
  tenantScope.scope = scope;
  tenantScope.error = null;
  if (scope.ended) tenantScope.notice = endedNotice(scope.ended.name);
  if (!scope.tenant) tenantScope.portal = false;
}

let refreshing: Promise<void> | null = null;

/** Asks the core for my grants and the tenant in scope. */
export function refreshScope(): Promise<void> {
  refreshing ??= (async () => {
    try {
      take(await api.tenantScope());
    } catch (e) {
      tenantScope.error = asUiError(e);
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

/** Puts a tenant in scope (or none); opens its portal when asked. */
export async function selectTenant(tenantId: string | null, openPortal = false): Promise<boolean> {
  try {
    take(await api.selectTenant(tenantId));
    tenantScope.notice = null;
    tenantScope.portal = openPortal && !!tenantScope.scope?.tenant;
    return true;
  } catch (e) {
    tenantScope.error = asUiError(e);
    return false;
  }
}

/**
 * The hub (or the core) refused the tenant's data for want of a grant: the portal closes and the
 * switcher learns the tenant left scope. True when `e` was such a refusal.
 */
export function closedByHub(e: UiError): boolean {
  if (!GRANT_GONE_CODES.includes(e.code)) return false;
  const name = tenantScope.scope?.tenant?.name;
  tenantScope.portal = false;
  if (name) tenantScope.notice = endedNotice(name);
  void refreshScope().then(() => {
    if (name) tenantScope.notice = endedNotice(name);
  });
  return true;
}

/** Forgets everything (sign-out): nothing of one person's access stays for the next. */
export function resetScope() {
  tenantScope.scope = null;
  tenantScope.portal = false;
  tenantScope.notice = null;
  tenantScope.error = null;
}
