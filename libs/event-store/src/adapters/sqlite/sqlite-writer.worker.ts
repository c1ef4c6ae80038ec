import { parentPort, workerData } from 'node:worker_threads';
import { AppendRequest, SqliteEventWriter } from './sqlite-event-writer';

/**
 * The writer thread of the SQLite event store: owns the write connection, so that commits and
 * their fsync never hold the request thread. It answers each batch once it is durable.
 */
export type WriterRequest =
  | { type: 'commit'; batchId: number; recordedAt: string; appends: AppendRequest[] }
  | { type: 'erase-key'; requestId: number; subject: string; at: string }
  | { type: 'close' };
export type WriterReply =
  | { type: 'ready' }
  | { type: 'committed'; batchId: number; outcomes: ReturnType<SqliteEventWriter['commit']> }
  | { type: 'failed'; batchId: number; message: string }
  | { type: 'key-erased'; requestId: number; error: string | null }
  | { type: 'closed' };

if (parentPort) {
  const port = parentPort;
  const writer = new SqliteEventWriter((workerData as { filePath: string }).filePath);
  port.on('message', (request: WriterRequest) => {
    if (request.type === 'close') {
      writer.close();
      port.postMessage({ type: 'closed' } satisfies WriterReply);
      port.close();
      return;
    }
    if (request.type === 'erase-key') {
      try {
        writer.erasePersonalDataKey(request.subject, request.at);
        port.postMessage({ type: 'key-erased', requestId: request.requestId, error: null } satisfies WriterReply);
      } catch (error) {
        port.postMessage({ type: 'key-erased', requestId: request.requestId, error: error instanceof Error ? error.message : String(error) } satisfies WriterReply);
      }
      return;
    }
    let reply: WriterReply;
    try {
      reply = { type: 'committed', batchId: request.batchId, outcomes: writer.commit(request.appends, request.recordedAt) };
    } catch (error) {
      // Nothing of this batch was committed (disk full, I/O error, lock timeout...).
      reply = { type: 'failed', batchId: request.batchId, message: error instanceof Error ? error.message : String(error) };
    }
    port.postMessage(reply);
  });
  port.postMessage({ type: 'ready' } satisfies WriterReply);
}
