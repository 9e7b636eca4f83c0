import { Injectable } from '@nestjs/common';

/** The one place application code reads the time from (state transitions use the database's clock). */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }
}
