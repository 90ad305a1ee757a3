import CConvKit
import ConvKit

/// Cuts the learning rate when a metric stops improving, PyTorch's `ReduceLROnPlateau`.
///
/// Each ``step(metric:)`` compares the metric with the best so far: in `.minimize` mode it
/// improves when below best·(1 − threshold) (`.relative`) or best − threshold (`.absolute`);
/// `.maximize` mirrors that. After more than `patience` epochs without improvement the rate
/// becomes max(lr·factor, minimumLearningRate) — skipped when that changes it by no more than
/// `epsilon` — and `cooldown` epochs follow in which bad epochs are not counted.
public final class ReduceLROnPlateau {
    /// Whether a lower or a higher metric is an improvement.
    public enum Mode: Sendable {
        /// Lower is better (a loss; PyTorch's `"min"`).
        case minimize
        /// Higher is better (an accuracy; PyTorch's `"max"`).
        case maximize
    }

    /// How `threshold` measures a significant improvement.
    public enum ThresholdMode: Sendable {
        /// Relative to the best: best·(1 ∓ threshold) (PyTorch's `"rel"`).
        case relative
        /// Absolute: best ∓ threshold (PyTorch's `"abs"`).
        case absolute
    }

    /// The optimizer whose rate is cut.
    public let optimizer: Optimizer
    /// Whether lower or higher is better.
    public let mode: Mode
    /// The factor of each cut, in [0, 1).
    public let factor: Double
    /// Epochs without improvement tolerated before a cut.
    public let patience: Int
    /// How much better than the best a metric must be to count as an improvement.
    public let threshold: Double
    /// Whether `threshold` is relative or absolute.
    public let thresholdMode: ThresholdMode
    /// Epochs after a cut in which bad epochs are not counted.
    public let cooldown: Int
    /// The rate is never cut below this.
    public let minimumLearningRate: Double
    /// A cut smaller than this is skipped.
    public let epsilon: Double
    /// The best metric so far (±∞ before the first step). This and the counters below are
    /// set by a restored checkpoint.
    public internal(set) var best: Double
    /// Epochs since the last improvement (PyTorch's `num_bad_epochs`).
    public internal(set) var badEpochs = 0
    /// Cooldown epochs left.
    public internal(set) var cooldownCounter = 0
    /// Steps taken (PyTorch's `last_epoch`).
    public internal(set) var lastEpoch = 0

    /// PyTorch's defaults: factor 0.1, patience 10, relative threshold 1e-4, no cooldown.
    public init(_ optimizer: Optimizer, mode: Mode = .minimize, factor: Double = 0.1, patience: Int = 10,
                threshold: Double = 1e-4, thresholdMode: ThresholdMode = .relative, cooldown: Int = 0,
                minimumLearningRate: Double = 0, epsilon: Double = 1e-8) throws {
        guard factor < 1, factor >= 0, patience >= 0, cooldown >= 0, threshold >= 0 else {
            throw ConvKitError(status: CK_ERR_INVALID_ARGUMENT,
                               message: "ReduceLROnPlateau: factor \(factor) must be in [0, 1); patience, cooldown and threshold >= 0")
        }
        (self.optimizer, self.mode, self.factor, self.patience) = (optimizer, mode, factor, patience)
        (self.threshold, self.thresholdMode, self.cooldown) = (threshold, thresholdMode, cooldown)
        (self.minimumLearningRate, self.epsilon) = (minimumLearningRate, epsilon)
        best = mode == .minimize ? .infinity : -.infinity
    }

    /// Records one epoch's metric and lowers the learning rate when the plateau lasted too long.
    public func step(metric: Double) {
        lastEpoch += 1
        if isBetter(metric) {
            best = metric
            badEpochs = 0
        } else {
            badEpochs += 1
        }
        if cooldownCounter > 0 {
            cooldownCounter -= 1
            badEpochs = 0
        }
        guard badEpochs > patience else { return }
        let old = optimizer.learningRate
        let new = max(old * factor, minimumLearningRate)
        if old - new > epsilon { optimizer.learningRate = new }
        cooldownCounter = cooldown
        badEpochs = 0
    }

    private func isBetter(_ value: Double) -> Bool {
        switch (mode, thresholdMode) {
        case (.minimize, .relative): return value < best * (1 - threshold)
        case (.minimize, .absolute): return value < best - threshold
        case (.maximize, .relative): return value > best * (threshold + 1)
        case (.maximize, .absolute): return value > best + threshold
        }
    }
}
