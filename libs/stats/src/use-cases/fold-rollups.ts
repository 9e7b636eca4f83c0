import { Injectable } from '@nestjs/common';
import { RollupRepository } from '../rollup.repository';

/**
 * The router's `stats-fold` job (every few seconds): moves the statistics changes written since the last fold into
 * the rollups, so that what is pending stays small. Reads of the rollups fold first anyway; this keeps them cheap.
 */
@Injectable()
export class FoldRollups {
  constructor(private readonly rollups: RollupRepository) {}

  /** How many changes were folded. */
  execute(): Promise<number> {
    return this.rollups.fold();
  }
}
