// peterson-sc: peterson.ts with every access memory_order_seq_cst (Mode.Mb). main joins both.
// GenMC: tests/correct/synthetic/peterson-sc/{peterson.c,variants/peterson0.c}.
import { Mode } from '../../engine/ops.ts';
import { peterson } from './peterson.ts';

export default peterson(
  'peterson-sc',
  "Peterson's 2-thread lock with seq_cst accesses and an assume-wait (GenMC tests/correct/synthetic/peterson-sc)",
  Mode.Mb,
  Mode.Mb,
);
