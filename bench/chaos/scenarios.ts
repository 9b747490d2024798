// The suite's scenarios, in the order a run takes them.
import type { Scenario } from './common.ts';
import { churn } from './churn.ts';
import { writers } from './writers.ts';

export const SCENARIOS: Scenario[] = [churn, writers];
