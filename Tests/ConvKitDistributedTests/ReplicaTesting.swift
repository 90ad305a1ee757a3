import ConvKit
import ConvKitData
import ConvKitDistributed
import ConvKitNN
import ConvKitTrain
import XCTest

/// Small models, data and runs shared by the data-parallel tests.
enum ReplicaTesting {
    /// 96 training and 20 test images of 1×8×8 in 3 classes: 6 global batches of 16.
    static let data = try! SyntheticDataset(trainCount: 96, testCount: 20, channels: 1, height: 8, width: 8, classes: 3).make()

    /// conv 3×3 (4) [→ batch norm] → ReLU → max pool 2 → flatten [→ dropout 0.25] → dense 64 → 3, with
    /// weights drawn from `seed` and dropout seeded by `dropoutSeed`.
    static func model(batchNorm: Bool, dropout: Bool = false, seed: UInt64 = 3, dropoutSeed: UInt64 = 4,
                      on context: Context) throws -> Sequential {
        var layers: [any Module] = [try Conv2D(inChannels: 1, outChannels: 4, kernelSize: (3, 3), padding: .same, seed: seed, on: context)]
        if batchNorm { layers.append(try BatchNorm2D(features: 4, on: context)) }
        layers += [ReLU(), MaxPool2D(kernelSize: (2, 2)), Flatten()]
        if dropout { layers.append(try Dropout(rate: 0.25, seed: dropoutSeed)) }
        layers.append(try Dense(inFeatures: 64, outFeatures: 3, seed: seed + 2, on: context))
        return Sequential(layers)
    }

    /// Five SGD (Nesterov momentum 0.9, cosine rate from 0.1, weight decay) steps on global batches of 16
    /// with random flips and crops.
    static let options = TrainingOptions(epochs: 1, batchSize: 16, augmentation: Augmentation(horizontalFlip: true, cropPadding: 1),
                                         seed: 11, maxStepsPerEpoch: 5)

    /// Every float parameter and buffer after `train`, by state-dict name.
    static func state(of model: any Module) throws -> [String: [Float]] {
        Dictionary(uniqueKeysWithValues: try model.stateDict().filter { $0.tensor.dtype == .float32 }.map { ($0.name, try $0.tensor.toArray()) })
    }

    /// One process training `options` alone (one CPU thread).
    static func trainAlone(batchNorm: Bool, dropout: Bool, options: TrainingOptions = options) throws -> [String: [Float]] {
        let context = try Context(backend: .cpu, threads: 1)
        let model = try model(batchNorm: batchNorm, dropout: dropout, on: context)
        try Trainer(model: model, data: data, options: options, context: context).fit()
        return try state(of: model)
    }

    /// `ranks` replicas in threads training `options` data-parallel; each replica's state.
    static func trainReplicas(_ ranks: Int, batchNorm: ReplicaSetup.BatchNormMode?, dropout: Bool,
                              options: TrainingOptions = options, bucketBytes: Int = 1024) throws -> [[String: [Float]]] {
        try ThreadGroup(size: ranks).run { communicator in
            let context = try Context(backend: .cpu, threads: 1)
            // Each replica draws other weights: the broadcast must make them rank 0's.
            let model = try model(batchNorm: batchNorm != nil, dropout: dropout, seed: 3 + UInt64(communicator.rank) * 100, on: context)
            let synchronizer = try GradientSynchronizer(model: model, communicator: communicator, bucketBytes: bucketBytes)
            try ReplicaSetup.prepare(model, communicator: communicator, batchNorm: batchNorm ?? .local)
            try Trainer(model: model, data: data, options: options, context: context, dataParallel: synchronizer).fit()
            return try state(of: model)
        }
    }

    /// The largest |a − b| over every entry both states hold.
    static func largestDifference(_ a: [String: [Float]], _ b: [String: [Float]]) -> Float {
        a.keys.compactMap { name in b[name].map { zip(a[name]!, $0).map { abs($0 - $1) }.max() ?? 0 } }.max() ?? 0
    }
}
