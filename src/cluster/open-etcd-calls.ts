// The gRPC calls an EtcdStore has open (unary requests, watch and lease keep-alive streams), so close()
// can cancel them. Closing the etcd3 client closes its channels gracefully, which waits for every open
// HTTP/2 stream to end; a stream whose answer never comes (etcd paused or cut off: no reset, just
// silence) would keep the socket, and the process, alive for good. Tracked through a gRPC client
// interceptor that every call passes (the store's defaultCallOptions); a call leaves the set when its
// status arrives.
import type { IOptions } from 'etcd3';

type CallOptionsFactory = Extract<NonNullable<IOptions['defaultCallOptions']>, (...args: never[]) => unknown>;
type CallOptions = ReturnType<CallOptionsFactory>;
type Interceptor = NonNullable<CallOptions['interceptors']>[number];
type InterceptingCall = ReturnType<Interceptor>;
type Listener = Parameters<InterceptingCall['start']>[1];

/** gRPC's CANCELLED status code. */
const STATUS_CANCELLED = 1;

export class OpenEtcdCalls {
  private readonly open = new Set<Pick<InterceptingCall, 'cancelWithStatus'>>();

  /** Passes each call through unchanged, remembering it from start() until its status arrives. */
  readonly interceptor: Interceptor = (options, nextCall) => {
    const call = nextCall(options);
    const open = this.open;
    const tracked = {
      cancelWithStatus: (status: number, details: string) => call.cancelWithStatus(status, details),
      getPeer: () => call.getPeer(),
      start(metadata: Parameters<InterceptingCall['start']>[0], listener?: Listener) {
        open.add(tracked);
        call.start(metadata, {
          onReceiveMetadata: (m) => listener?.onReceiveMetadata?.(m),
          onReceiveMessage: (message: unknown) => listener?.onReceiveMessage?.(message),
          onReceiveStatus: (status) => { open.delete(tracked); listener?.onReceiveStatus?.(status); },
        });
      },
      sendMessageWithContext: (context: Parameters<InterceptingCall['sendMessageWithContext']>[0], message: unknown) => call.sendMessageWithContext(context, message),
      sendMessage: (message: unknown) => call.sendMessage(message),
      startRead: () => call.startRead(),
      halfClose: () => call.halfClose(),
      getAuthContext: () => call.getAuthContext(),
    };
    // Structurally a gRPC InterceptingCall (what interceptors must return); the class itself is not ours to import.
    return tracked as unknown as InterceptingCall;
  };

  /** Cancels every call still open (their callers see CANCELLED). */
  cancelAll(reason: string): void {
    for (const call of [...this.open]) call.cancelWithStatus(STATUS_CANCELLED, reason);
    this.open.clear();
  }
}
