// local_irq_disable() / local_irq_enable() (include/linux/irqflags.h). With IRQs off a CPU takes
// no IPI (kernel/smp.ts waits for it) and, since the v5.0 RCU flavour consolidation, counts as an
// RCU reader (cpus.ts).
import type { Ctx, ThreadGen } from '../../../engine/ops.ts';
import { cpuIrqOff, cpuIrqOn, type Cpu } from '../../cpus.ts';
import { MAINLINE, kernelFunction } from '../../kfn.ts';

const src = (name: string) => ({ name, file: 'include/linux/irqflags.h', version: MAINLINE });

/** local_irq_disable(): blocks IPIs to this CPU and, being a reader, RCU grace periods. */
export const local_irq_disable = kernelFunction(src('local_irq_disable'), (t: Ctx, cpu: Cpu): ThreadGen<void> => cpuIrqOff(t, cpu));

/** local_irq_enable(): pending IPIs are taken now (see smp_call_function). */
export const local_irq_enable = kernelFunction(src('local_irq_enable'), (t: Ctx, cpu: Cpu): ThreadGen<void> => cpuIrqOn(t, cpu));
