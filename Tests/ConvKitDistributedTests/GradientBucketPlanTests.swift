import ConvKitDistributed
import XCTest

final class GradientBucketPlanTests: XCTestCase {
    func testBucketsFillInReverseRegistrationOrderUpToTheCapacity() {
        let plan = GradientBucketPlan(parameterCounts: [10, 2, 30, 3, 5], capacity: 12)
        XCTAssertEqual(plan.slots.map(\.parameter), [4, 3, 2, 1, 0], "the last parameter's gradient comes first in backward")
        XCTAssertEqual(plan.slots.map(\.bucket), [0, 0, 1, 2, 2])
        XCTAssertEqual(plan.slots.map(\.offset), [0, 5, 0, 0, 2])
        XCTAssertEqual(plan.bucketSizes, [8, 30, 12], "a parameter over the capacity gets a bucket of its own")
        XCTAssertEqual(plan.parametersPerBucket, [2, 1, 2])
    }

    func testOneBucketWhenEverythingFits() {
        let plan = GradientBucketPlan(parameterCounts: [4, 4, 4], capacity: 1 << 20)
        XCTAssertEqual(plan.bucketSizes, [12])
        XCTAssertEqual(plan.slots.map(\.offset), [0, 4, 8])
    }
}
