// Saves a checkpoint of a 16 MB model over and over to the path given, each version with every
// weight equal to its number (the checkpoint's epoch), printing "saved N" after each save, until
// it is killed. ConvKitNNTests kills it with SIGKILL at random moments and checks the file.
// Continues from the version already in the file, if any.
import ConvKit
import ConvKitNN
import Foundation

guard CommandLine.arguments.count == 2 else {
    FileHandle.standardError.write(Data("usage: CheckpointWriterChild CHECKPOINT\n".utf8))
    exit(2)
}
let path = CommandLine.arguments[1]
do {
    let context = try Context(backend: .cpu, threads: 1)
    let model = Sequential([
        try Dense(inFeatures: 1024, outFeatures: 2048, seed: 1, on: context),
        try Dense(inFeatures: 2048, outFeatures: 1024, seed: 2, on: context),
    ])
    let start = FileManager.default.fileExists(atPath: path) ? try Checkpoint.read(from: path).info?.epoch ?? 0 : 0
    for version in (start + 1)... {
        try withNoGrad {
            for (_, parameter) in model.namedParameters() { try parameter.fill(Double(version)) }
        }
        try Checkpoint.save(to: path, model: model, info: CheckpointInfo(modelName: "writer", epoch: version))
        print("saved \(version)")
        fflush(stdout)
    }
} catch {
    FileHandle.standardError.write(Data("CheckpointWriterChild: \(error)\n".utf8))
    exit(1)
}
