// Every command of the contract has exactly one handler; the type below fails to compile when one
// is missing. `system.cancel` is answered by the transport's Dispatcher itself.
import type { CommandName } from '../../shared/contract';
import type { HandlerMap } from './types';
import { systemHandlers } from './system-handlers';
import { hostHandlers } from './host-handlers';
import { userdataHandlers } from './userdata-handlers';
import { mediaHandlers } from './media-handlers';
import { flashHandlers } from './flash-handlers';
import { pxeHandlers } from './pxe-handlers';
import { registerHandlers } from './register-handlers';
import { stagingHandlers } from './staging-handlers';

export const handlers: Omit<HandlerMap<CommandName>, 'system.cancel'> = {
  ...systemHandlers,
  ...hostHandlers,
  ...userdataHandlers,
  ...mediaHandlers,
  ...flashHandlers,
  ...pxeHandlers,
  ...registerHandlers,
  ...stagingHandlers,
};
