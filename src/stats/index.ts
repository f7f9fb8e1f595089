/** Statistics for comparing a canary with its baseline: pure, no dependencies, checked against R. */
export { type Count, fisherTest, type ProportionTest, proportionTest } from './counts.js';
export { commonLanguageEffect, quantile, type Summary, summarise } from './describe.js';
export { type Alternative, type RankTestOptions, type RankTestResult, rankTest } from './mann-whitney.js';
export { type MixtureTest, mixtureCountTest } from './mixture-sprt.js';
export { dnorm, pnorm, qnorm } from './normal.js';
export { removeOutliers } from './outliers.js';
export { lookAlpha, pocockSpent } from './spending.js';
