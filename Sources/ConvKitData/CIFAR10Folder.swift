/// Reads the CIFAR-10 binary version from a folder: `data_batch_1.bin` …
/// `data_batch_5.bin` (training) and `test_batch.bin`, each a sequence of
/// 3073-byte records: one label byte (0...9), then a 32×32 image as 1024 red,
/// 1024 green and 1024 blue bytes, rows top to bottom — already CHW. The
/// folder may also be the one holding `cifar-10-batches-bin/` (as the
/// archive unpacks). Images become `[count, 3, 32, 32]` Floats in [0, 1].
public enum CIFAR10Folder {
    public static let classNames = [
        "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck",
    ]
    static let trainFiles = (1...5).map { "data_batch_\($0).bin" }
    static let testFile = "test_batch.bin"
    static let side = 32
    static let recordSize = 1 + 3 * 32 * 32

    /// Loads both splits from `directory`; `howToGet` finishes the message
    /// thrown when the folder or a file is missing.
    public static func load(directory: String, howToGet: String) throws -> DatasetSplits {
        guard BinaryFile.isDirectory(directory) else {
            throw DataError.missingDataset(message: "cifar10 not found: the folder \(directory) does not exist. \(howToGet)")
        }
        let nested = directory + "/cifar-10-batches-bin"
        let folder = BinaryFile.firstExisting(in: directory, names: [testFile]) == nil && BinaryFile.isDirectory(nested)
            ? nested : directory
        let names = trainFiles + [testFile]
        let missing = names.filter { BinaryFile.firstExisting(in: folder, names: [$0]) == nil }
        guard missing.isEmpty else {
            throw DataError.missingDataset(
                message: "cifar10 not found: the folder \(folder) lacks \(missing.joined(separator: ", ")). \(howToGet)")
        }
        let train = try read(files: trainFiles.map { folder + "/" + $0 }, name: "cifar10 train")
        let test = try read(files: [folder + "/" + testFile], name: "cifar10 test")
        return try DatasetSplits(train: train, test: test)
    }

    /// The records of `files`, in order, as one Dataset.
    static func read(files: [String], name: String) throws -> Dataset {
        var images: [Float] = []
        var labels: [Int32] = []
        for path in files {
            let bytes = try BinaryFile.readDecompressing(path)
            guard !bytes.isEmpty, bytes.count % recordSize == 0 else {
                throw DataError.invalidFile(
                    path: path,
                    reason: "size \(bytes.count) bytes is not a positive multiple of \(recordSize) "
                        + "(1 label byte + 3072 pixel bytes per image): truncated, or not CIFAR-10 binary data")
            }
            let count = bytes.count / recordSize
            images.reserveCapacity(images.count + count * (recordSize - 1))
            try bytes.withUnsafeBufferPointer { buffer in
                for record in 0..<count {
                    let start = record * recordSize
                    let label = buffer[start]
                    guard label < classNames.count else {
                        throw DataError.invalidFile(
                            path: path, reason: "record \(record) has label \(label); CIFAR-10 labels are 0...9")
                    }
                    labels.append(Int32(label))
                    images += scaledPixels(UnsafeBufferPointer(rebasing: buffer[(start + 1)..<(start + recordSize)]))
                }
            }
        }
        return try Dataset(name: name, images: images, labels: labels, channels: 3, height: side, width: side,
                           classNames: classNames)
    }
}
