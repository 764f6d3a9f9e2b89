import type { AccountManagementContext } from '../domain/account-management.ts';
import type { ChangeContext } from '../domain/change-context.ts';
import type { Context } from './context.ts';

/** Returns the request's actor, a logger for `module` and SECRET_KEY, for domain functions that change configuration. */
export function changeContext(context: Context, module: string): ChangeContext {
  return { actor: context.actor, logger: context.logger.child({ module }), secretKey: context.services.config.SECRET_KEY };
}

export function accountManagementContext(context: Context): AccountManagementContext {
  return {
    ...changeContext(context, 'account-management'),
    maxSelection: context.services.config.MAX_SELECTION_SIZE,
    visibleTenantIds: context.actor.tenantIds,
  };
}
