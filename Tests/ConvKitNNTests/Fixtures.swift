import ConvKit
import Foundation
import XCTest

/// One JSON fixture file of Tests/Fixtures/nn (written by Tests/Fixtures/scripts/make_nn_fixtures.py):
/// {"generator", "torch", "cases": [...]}; tensors are {"shape": [...], "values": [...]}.
struct FixtureFile {
    let cases: [FixtureCase]

    init(_ name: String) throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/nn/\(name).json")
        let root = try JSONSerialization.jsonObject(with: try Data(contentsOf: url)) as? [String: Any]
        let cases = root?["cases"] as? [[String: Any]] ?? []
        XCTAssertFalse(cases.isEmpty, "\(url.path) holds no cases")
        self.cases = cases.map(FixtureCase.init)
    }

    func named(_ name: String) throws -> FixtureCase {
        try XCTUnwrap(cases.first { $0.name == name }, "no fixture case \(name)")
    }
}

/// A JSON object of a fixture with typed accessors (a missing or mistyped key fails the test).
struct FixtureCase {
    let object: [String: Any]

    init(_ object: [String: Any]) { self.object = object }

    var name: String { object["name"] as? String ?? "?" }

    func child(_ key: String) throws -> FixtureCase {
        FixtureCase(try XCTUnwrap(object[key] as? [String: Any], "\(name): no object \(key)"))
    }

    func list(_ key: String) throws -> [FixtureCase] {
        try XCTUnwrap(object[key] as? [[String: Any]], "\(name): no list \(key)").map(FixtureCase.init)
    }

    func has(_ key: String) -> Bool { object[key] != nil && !(object[key] is NSNull) }

    func int(_ key: String) throws -> Int { try XCTUnwrap((object[key] as? NSNumber)?.intValue, "\(name): no integer \(key)") }

    func double(_ key: String) throws -> Double { try XCTUnwrap((object[key] as? NSNumber)?.doubleValue, "\(name): no number \(key)") }

    func bool(_ key: String, default value: Bool = false) -> Bool { (object[key] as? NSNumber)?.boolValue ?? value }

    func string(_ key: String) throws -> String { try XCTUnwrap(object[key] as? String, "\(name): no string \(key)") }

    func ints(_ key: String) throws -> [Int] {
        try XCTUnwrap(object[key] as? [NSNumber], "\(name): no integer list \(key)").map(\.intValue)
    }

    func doubles(_ key: String) throws -> [Double] {
        try XCTUnwrap(object[key] as? [NSNumber], "\(name): no number list \(key)").map(\.doubleValue)
    }

    func pair(_ key: String) throws -> (Int, Int) {
        let values = try ints(key)
        return (values[0], values[1])
    }

    /// A stored tensor (float32 values rounded from their 9-digit text; int32 when `dtype` says).
    func tensor(_ key: String, dtype: DType = .float32, on context: Context) throws -> Tensor {
        try FixtureCase.tensor(from: try XCTUnwrap(object[key], "\(name): no tensor \(key)"), dtype: dtype, on: context)
    }

    func values(_ key: String) throws -> HostTensor {
        try HostTensor(try XCTUnwrap(object[key] as? [String: Any], "\(name): no tensor \(key)"))
    }

    /// Every entry of an object of tensors (a state dict); `num_batches_tracked` entries are int32.
    func tensors(_ key: String, on context: Context) throws -> [String: Tensor] {
        let entries = try XCTUnwrap(object[key] as? [String: Any], "\(name): no tensor map \(key)")
        var result: [String: Tensor] = [:]
        for (entryName, value) in entries {
            let host = try HostTensor(try XCTUnwrap(value as? [String: Any], "\(name): \(entryName) is not a tensor"))
            let dtype: DType = entryName.hasSuffix("num_batches_tracked") ? .int32 : .float32
            result[entryName] = try Tensor(doubles: host.values, shape: host.shape, dtype: dtype, on: context)
        }
        return result
    }

    static func tensor(from value: Any, dtype: DType, on context: Context) throws -> Tensor {
        let host = try HostTensor(try XCTUnwrap(value as? [String: Any], "not a tensor"))
        return try Tensor(doubles: host.values, shape: host.shape, dtype: dtype, on: context)
    }
}

/// A tensor's shape and values on the host (float32 values widened exactly to Double).
struct HostTensor {
    let shape: [Int]
    let values: [Double]

    init(_ object: [String: Any]) throws {
        shape = try XCTUnwrap(object["shape"] as? [NSNumber], "tensor without shape").map(\.intValue)
        let numbers = try XCTUnwrap(object["values"] as? [NSNumber], "tensor without values")
        values = numbers.map { Double(Float($0.doubleValue)) }
    }
}
