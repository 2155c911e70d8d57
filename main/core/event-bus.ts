// In-process event bus for the contract's event streams. Transports subscribe and forward.
import { EventEmitter } from 'node:events';
import type { EventName, EventOf } from '../../shared/contract';

export class EventBus {
  private readonly ee = new EventEmitter();
  constructor() {
    this.ee.setMaxListeners(0);
  }
  emit<E extends EventName>(name: E, payload: EventOf<E>): void {
    this.ee.emit(name, payload);
    this.ee.emit('*', name, payload);
  }
  on<E extends EventName>(name: E, fn: (payload: EventOf<E>) => void): () => void {
    this.ee.on(name, fn as (p: unknown) => void);
    return () => this.ee.off(name, fn as (p: unknown) => void);
  }
  onAny(fn: (name: EventName, payload: unknown) => void): () => void {
    this.ee.on('*', fn);
    return () => this.ee.off('*', fn);
  }
}
