import ConvKitNN

extension ModelRecipe {
    /// The class `text` names: an index in 0..<classes, or a class name compared without case,
    /// spaces and punctuation ("sneaker", "Ankle boot", "ankle-boot"), or the start of exactly
    /// one name ("tshirt" for "T-shirt/top"). Throws ``ConvKitNN/InspectionError``.
    public func classIndex(for text: String) throws -> Int {
        if let index = Int(text) {
            guard classNames.indices.contains(index) else { throw InspectionError.classOutOfRange(index, classCount: classNames.count) }
            return index
        }
        func key(_ name: String) -> String { String(name.lowercased().filter { $0.isLetter || $0.isNumber }) }
        let wanted = key(text)
        let keys = classNames.map(key)
        if let exact = keys.firstIndex(of: wanted) { return exact }
        let starting = keys.indices.filter { !wanted.isEmpty && keys[$0].hasPrefix(wanted) }
        guard starting.count == 1 else { throw InspectionError.unknownClass(text, classNames: classNames) }
        return starting[0]
    }
}
