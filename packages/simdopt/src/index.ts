/**
 * simdopt: torch.optim's optimizers as fused WebAssembly SIMD loops over parameters that live in
 * Wasm memory.
 *
 *     const rt = await loadRuntime();
 *     const w = rt.parameter(Float32Array.from([...]));
 *     const opt = new Adam([w], { lr: 1e-3 });
 *     w.grad.set(gradient); opt.step();   // w.data is updated in place
 *
 * @module simdopt
 */
export { loadRuntime, Runtime, type RuntimeOptions, type ParameterOptions } from "./runtime/runtime.js";
export { Parameter } from "./runtime/parameter.js";
export { ThreadError } from "./threads/thread-error.js";
export type { ThreadsOption } from "./threads/options.js";
export {
  isSimdSupported,
  relaxedSimdFuses,
  ROUNDINGS,
  type BinaryChoice,
  type BinaryName,
  type Rounding,
  type WasmBinary,
} from "./runtime/load.js";
export type {
  Dtype,
  FloatArray,
  TypedArrayOf,
  KernelName,
  KernelCall,
  ScalarsOf,
  FlagsOf,
  StateBufferOf,
} from "./runtime/kernels.js";
export type { OptionChecker } from "./runtime/validate.js";
export {
  Optimizer,
  type OptimizerDefinition,
  type AnyOptimizerDefinition,
  type OptimizerStateDict,
  type StepPlan,
  type ScalarState,
  type ParamGroup,
  type ParamGroupInput,
  type ParamsInput,
  type HookHandle,
  type ParameterStateView,
  type StepPreHook,
  type StepPostHook,
} from "./optimizer.js";
export type { JsOptimizerDefinition, JsTensor } from "./custom/js-rule.js";
export {
  clipGradNorm,
  clipGradValue,
  gradNorm,
  gradientsAreFinite,
  type ClipGradNormOptions,
} from "./clipping/clip.js";
export type { NormType } from "./clipping/norm.js";
export {
  NON_FINITE_MODES,
  type NonFiniteMode,
  type ResolvedTrainingOptions,
  type StepReport,
  type TrainingOptions,
} from "./training/training-options.js";
export { saveSafetensors, loadSafetensors } from "./checkpoint/safetensors.js";
export { fromTorchStateDict, toTorchStateDict, type TorchStateDict } from "./checkpoint/torch-layout.js";
export { toTorchSafetensors } from "./checkpoint/torch-safetensors.js";
export { STATE_FORMAT, type LoadStateOptions, type ParameterState } from "./checkpoint/state-dict.js";
export type { JsonNumber, JsonTensor } from "./checkpoint/encoding.js";
export type { JsonLowBitTensor } from "./checkpoint/low-bit-state.js";
export type { StateArray } from "./runtime/state-elements.js";
export { SGD, type SGDOptions, sgdDefaults } from "./optimizers/sgd.js";
export { Adam, type AdamOptions, adamDefaults } from "./optimizers/adam.js";
export { AdamW, type AdamWOptions, adamwDefaults } from "./optimizers/adamw.js";
export {
  Adam4bit,
  Adam8bit,
  AdamFp8,
  AdamW4bit,
  AdamW8bit,
  AdamWFp8,
  type LowBitAdamOptions,
} from "./optimizers/low-bit-aliases.js";
export { STATE_STORAGES, type StateStorage } from "./optimizers/state-storage.js";
export {
  BnbAdam8bit,
  BnbAdamW8bit,
  bnbAdam8bitDefaults,
  bnbAdamW8bitDefaults,
  type BnbAdam8bitOptions,
} from "./presets/bnb.js";
export {
  BnbAdagrad8bit,
  BnbLion8bit,
  BnbRMSprop8bit,
  BnbSGD8bit,
  bnbAdagrad8bitDefaults,
  bnbLion8bitDefaults,
  bnbRMSprop8bitDefaults,
  bnbSGD8bitDefaults,
  type BnbAdagrad8bitOptions,
  type BnbLion8bitOptions,
  type BnbRMSprop8bitOptions,
  type BnbSGD8bitOptions,
} from "./presets/bnb-one-state.js";
export { Adamax, type AdamaxOptions, adamaxDefaults } from "./optimizers/adamax.js";
export { NAdam, type NAdamOptions, nadamDefaults } from "./optimizers/nadam.js";
export { RAdam, type RAdamOptions, radamDefaults } from "./optimizers/radam.js";
export { Adagrad, type AdagradOptions, adagradDefaults } from "./optimizers/adagrad.js";
export { SparseAdam, type SparseAdamOptions, sparseAdamDefaults } from "./optimizers/sparseAdam.js";
export { LazyAdam, type LazyAdamOptions, lazyAdamDefaults } from "./optimizers/lazyAdam.js";
export { Adadelta, type AdadeltaOptions, adadeltaDefaults } from "./optimizers/adadelta.js";
export { RMSprop, type RMSpropOptions, rmspropDefaults } from "./optimizers/rmsprop.js";
export { Rprop, type RpropOptions, rpropDefaults } from "./optimizers/rprop.js";
export { Lion, type LionOptions, lionDefaults } from "./optimizers/lion.js";
export { ASGD, type ASGDOptions, asgdDefaults } from "./optimizers/asgd.js";
export { Ftrl, type FtrlOptions, ftrlDefaults } from "./optimizers/ftrl.js";
export { Lamb, type LambOptions, lambDefaults } from "./optimizers/lamb.js";
export { Adafactor, type AdafactorOptions, adafactorDefaults } from "./optimizers/adafactor.js";
export { Muon, type MuonOptions, muonDefaults } from "./optimizers/muon.js";
export { splitForMuon, type MuonSplit } from "./optimizers/muon-split.js";
export {
  AdamWScheduleFree,
  type AdamWScheduleFreeOptions,
  adamwScheduleFreeDefaults,
} from "./optimizers/adamwScheduleFree.js";
export { SGDScheduleFree, type SGDScheduleFreeOptions, sgdScheduleFreeDefaults } from "./optimizers/sgdScheduleFree.js";
export { ScheduleFreeOptimizer, type ScheduleFreeSharedOptions } from "./optimizers/scheduleFree.js";
export { WeightAverage, type WeightAverageOptions, type AverageOptions } from "./averaging/weight-average.js";
export { LBFGS, type LBFGSOptions, lbfgsDefaults } from "./optimizers/lbfgs.js";
export type { LBFGSStateDict } from "./checkpoint/lbfgs-state.js";
export {
  KerasAdam,
  KerasNadam,
  KerasRMSprop,
  KerasSGD,
  KerasLion,
  kerasAdamDefaults,
  kerasNadamDefaults,
  kerasRMSpropDefaults,
  kerasSGDDefaults,
  kerasLionDefaults,
  type KerasBaseOptions,
  type KerasAdamOptions,
  type KerasNadamOptions,
  type KerasRMSpropOptions,
  type KerasSGDOptions,
  type KerasLionOptions,
} from "./presets/keras.js";
export {
  OptaxAdam,
  OptaxAdamW,
  OptaxNadam,
  OptaxSGD,
  OptaxLion,
  OptaxAdamax,
  OptaxAdadelta,
  OptaxRAdam,
  OptaxLamb,
  OptaxRMSprop,
  OptaxAdagrad,
  OptaxRprop,
  optaxAdamDefaults,
  optaxAdamWDefaults,
  optaxNadamDefaults,
  optaxSGDDefaults,
  optaxLionDefaults,
  optaxAdamaxDefaults,
  optaxAdadeltaDefaults,
  optaxRAdamDefaults,
  optaxLambDefaults,
  optaxRMSpropDefaults,
  optaxAdagradDefaults,
  optaxRpropDefaults,
  type OptaxAdamOptions,
  type OptaxAdamWOptions,
  type OptaxSGDOptions,
  type OptaxLionOptions,
  type OptaxAdamaxOptions,
  type OptaxAdadeltaOptions,
  type OptaxRAdamOptions,
  type OptaxLambOptions,
  type OptaxRMSpropOptions,
  type OptaxAdagradOptions,
  type OptaxRpropOptions,
  type PresetClass,
  OptaxAdafactor,
  optaxAdafactorDefaults,
  type OptaxAdafactorOptions,
  OptaxScheduleFreeAdamW,
  optaxScheduleFreeAdamWDefaults,
  type OptaxScheduleFreeAdamWOptions,
} from "./presets/optax.js";
export {
  TfjsSGD,
  TfjsMomentum,
  TfjsAdam,
  TfjsRMSprop,
  TfjsAdagrad,
  TfjsAdamax,
  TfjsAdadelta,
  tfjsSGDDefaults,
  tfjsMomentumDefaults,
  tfjsAdamDefaults,
  tfjsRMSpropDefaults,
  tfjsAdagradDefaults,
  tfjsAdamaxDefaults,
  tfjsAdadeltaDefaults,
  type TfjsSGDOptions,
  type TfjsMomentumOptions,
  type TfjsAdamOptions,
  type TfjsRMSpropOptions,
  type TfjsAdagradOptions,
  type TfjsAdamaxOptions,
  type TfjsAdadeltaOptions,
} from "./presets/tfjs.js";
export {
  createOptimizer,
  isElementwise,
  OPTIMIZERS,
  OPTIMIZER_NAMES,
  type OptimizerName,
  type OptionsOf,
  type RegistryEntry,
} from "./optimizers/index.js";
export { TEST_FUNCTIONS, type TestFunction, type TestFunctionName } from "./functions/index.js";
export { runTrajectory } from "./functions/trajectory.js";
export {
  runOptimizerCase,
  runTrajectoryCase,
  fromTorchOptions,
  caseKind,
  type CaseKind,
  TOLERANCE,
  type OptimizerCase,
  type TrajectoryCase,
  type CaseResult,
} from "./conformance/golden.js";
export * from "./schedules/index.js";
export {
  runScheduleCase,
  fromTorchScheduleOptions,
  SCHEDULE_TOLERANCE,
  type ScheduleCase,
  type ScheduleCaseResult,
} from "./conformance/schedules.js";
export { runClippingCase, type ClippingCase } from "./conformance/clipping-case.js";
export { runAveragingCase, type AveragingCase } from "./conformance/averaging-case.js";
export { runLBFGSCase, type LBFGSCase } from "./conformance/lbfgs-case.js";
export { caseProblem, fileProblem } from "./conformance/validate-case.js";
export { compatibilityOptions, torchVersionOf } from "./conformance/conventions.js";
