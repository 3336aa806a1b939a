/** Output tensors of the RTL against the golden kernel's, reported as the first difference. */
import type { Tensor } from '../dsl/generator.ts';
import { indexOf } from '../dsl/tensors.ts';

/** First difference between RTL and golden tensors, as one line; null when they agree. */
export function compareTensors(got: Record<string, Tensor>, want: Record<string, Tensor>): string | null {
  for (const [name, w] of Object.entries(want)) {
    const g = got[name];
    if (!g) return `output tensor '${name}' was not produced`;
    if (g.shape.join() !== w.shape.join()) return `output tensor '${name}' has shape [${g.shape}], golden [${w.shape}]`;
    const i = w.data.findIndex((v, j) => v !== g.data[j]);
    if (i >= 0) {
      const idx = indexOf(w.shape, i);
      const bad = w.data.filter((v, j) => v !== g.data[j]).length;
      return `output tensor '${name}' differs from golden at [${idx.join(', ')}]: RTL ${g.data[i]}, golden ${w.data[i]} (${bad} of ${w.data.length} values differ)`;
    }
  }
  return null;
}
