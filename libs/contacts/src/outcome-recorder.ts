import { Injectable } from '@nestjs/common';
import { AuthUser } from '@kapok/auth';
import { Tx } from '@kapok/database';
import { OutcomeDto } from './dto/outcome.dto';

/** An outcome just written, with the contact it completed. */
export interface RecordedOutcome {
  contactId: string;
  stationId: string;
  outcomeId: string;
  author: AuthUser;
  input: OutcomeDto;
}

/**
 * What recording an outcome writes besides the outcome row, in the same transaction: the service record (its first
 * version, problems, material-aid request, audit row). The records library implements it (RecordKeeper); this
 * library only knows the interface, so that it does not depend on @kapok/records (records depends on contacts).
 */
export interface OutcomeRecorder {
  /**
   * Checks what only the database can tell (a 4xx naming the field) and fills in defaults. Called before anything
   * is written.
   */
  prepare(tx: Tx, input: OutcomeDto, lineStationId: string): Promise<void>;
  /** Called after the outcome row is written and the contact completed. */
  recorded(tx: Tx, r: RecordedOutcome): Promise<unknown>;
}

/**
 * The port RecordOutcome writes the record through. The implementing library registers itself when its module
 * starts (RecordsModule imports ContactsModule). Without one, recording an outcome fails rather than leave an outcome
 * without its record.
 */
@Injectable()
export class OutcomeRecorderPort implements OutcomeRecorder {
  private recorder?: OutcomeRecorder;

  register(recorder: OutcomeRecorder): void {
    if (this.recorder && this.recorder !== recorder) throw new Error('An outcome recorder is already registered');
    this.recorder = recorder;
  }

  prepare(tx: Tx, input: OutcomeDto, lineStationId: string): Promise<void> {
    return this.current().prepare(tx, input, lineStationId);
  }

  recorded(tx: Tx, r: RecordedOutcome): Promise<unknown> {
    return this.current().recorded(tx, r);
  }

  private current(): OutcomeRecorder {
    if (!this.recorder) {
      throw new Error('No outcome recorder is registered: import RecordsModule (@kapok/records) with ContactsModule');
    }
    return this.recorder;
  }
}
