/** Errors of the HLS compiler: always at the user's TS line, naming the construct and what to do instead. */
import { HdlError, type SourceLoc } from '../dsl/index.ts';

export class HlsError extends HdlError {
  override readonly name: string = 'HlsError';
  constructor(message: string, loc?: SourceLoc) {
    super(message, loc);
  }
}
