/**
 * Linkerd's leaf Services: the kit's (kit/leaf-services.ts), with Linkerd's diagnostic for a name
 * that is too long.
 */
import { LeafServices as Leaves, SERVICE_NAME_LIMIT } from '../kit/leaf-services.js';
import { linkerdDiag } from './native.js';

export { fmt, leafName } from '../kit/leaf-services.js';

export class LeafServices extends Leaves {
  constructor() {
    super((name, doc, version) =>
      linkerdDiag(
        'NameTooLong',
        { what: 'leaf Service', name, limit: SERVICE_NAME_LIMIT, field: 'service or version name' },
        doc.at(['spec', 'versions', version], true),
      ),
    );
  }
}
