import { Decider } from './decider';

/**
 * Exporting the history is itself part of the history: who exported what, when. Stream:
 * `auditExport-<exportId>` (one per export).
 */
export const auditExportStream = (exportId: string) => `auditExport-${exportId}`;

export interface AuditExportFilter {
  format: 'jsonl' | 'csv';
  from: string | null;
  to: string | null;
  subjectId: string | null;
}

export type AuditExportEvent = { type: 'AuditExported'; data: { exportId: string } & AuditExportFilter };
export type AuditExportCommand = { type: 'RecordAuditExport'; exportId: string } & AuditExportFilter;

export const auditExport: Decider<{ recorded: boolean }, AuditExportCommand, AuditExportEvent> = {
  initialState: () => ({ recorded: false }),
  decide: (command, state) => {
    if (state.recorded) return [];
    const { exportId, format, from, to, subjectId } = command;
    return [{ type: 'AuditExported', data: { exportId, format, from, to, subjectId } }];
  },
  evolve: (state, event) => (event.type === 'AuditExported' ? { recorded: true } : state),
};
