/// Contiguous shares of a data set, for replicas that split a pass over it (data-parallel
/// evaluation).
extension Dataset {
    /// Samples ⌊i·N/c⌋ ..< ⌊(i+1)·N/c⌋ for shard i of c: the shares of all c shards cover the
    /// set once, in order, and differ in size by at most one sample (a share may be empty when
    /// c > N).
    public func share(_ shard: DataShard) throws -> Dataset {
        guard shard.count >= 1, (0..<shard.count).contains(shard.index) else {
            throw DataError.invalidArgument("\(name): data shard \(shard.index) of \(shard.count) does not exist")
        }
        guard shard.count > 1 else { return self }
        let range = (shard.index * count / shard.count)..<((shard.index + 1) * count / shard.count)
        return try Dataset(name: "\(name) [\(shard.index + 1)/\(shard.count)]",
                           images: Array(images[(range.lowerBound * imageSize)..<(range.upperBound * imageSize)]),
                           labels: Array(labels[range]), channels: channels, height: height, width: width,
                           classNames: classNames)
    }
}
