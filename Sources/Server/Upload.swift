import BGZF
import Foundation
import GenomicFiles
import HTTPTypes
import Hummingbird
import NIOPosix
import PGx
import Records
import Store
import VCF

/// Genome upload: `POST /api/v1/patients/{id}/datasets?kind=germline_vcf&filename=…[&sample=…]` with the file as
/// the raw body (`application/octet-stream`, any size up to the configured limit).
///
/// The body streams straight into the encrypted blob store (digest and encryption on the fly, never the whole
/// file in memory); the stored file is then read back through the decrypting reader and checked (a VCF's header,
/// build and every line). Only a file that passes gets a dataset row, its samples and queued analysis runs, in
/// one transaction; anything else is removed and answered 413 or 422, leaving nothing behind.
struct UploadRoute {
    let env: APIEnvironment
    let blobs: BlobStore
    let maxBytes: Int64
    let analysers: [any GenomeAnalyser]

    func add(to router: Router<TailorContext>) {
        router.post("api/v1/patients/:patientID/datasets") { request, context in try await upload(request, context) }
    }

    func upload(_ request: Request, _ context: TailorContext) async throws -> Response {
        let patient = try context.parameters.id("patientID", as: PatientID.self)
        guard let kindText = try request.string("kind", maxLength: 32) else {
            throw APIError.badRequest("query parameter 'kind' is required: \(DatasetKind.allCases.map(\.rawValue).joined(separator: ", "))", field: "kind")
        }
        guard let kind = DatasetKind(rawValue: kindText) else {
            throw APIError.badRequest("kind must be one of \(DatasetKind.allCases.map(\.rawValue).joined(separator: ", "))", field: "kind")
        }
        let filename = try request.string("filename", maxLength: 255) ?? "upload"
        guard !filename.contains("/"), !filename.contains("\\"), filename.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }) else {
            throw APIError.badRequest("filename must be a plain file name", field: "filename")
        }
        let requestedSample = try request.string("sample", maxLength: 255)
        if let length = request.headers[.contentLength].flatMap(Int64.init), length > maxBytes {
            throw APIError(.contentTooLarge, "too_large", "the file is \(length) bytes; this server accepts at most \(maxBytes)")
        }
        // Decide before reading a byte: a caller who may not write genomic data never uploads.
        let grant = try await env.grant(context, .write, .genomicData, patient: patient)

        // 1. Stream into the staging area.
        let writer = try blobs.makeWriter()
        var received: Int64 = 0
        do {
            for try await buffer in request.body {
                received += Int64(buffer.readableBytes)
                if received > maxBytes {
                    throw APIError(.contentTooLarge, "too_large", "the file is larger than this server's limit of \(maxBytes) bytes")
                }
                try await writer.write(buffer)
            }
        } catch {
            writer.discard()
            try? await rejected(grant, context, "upload of \(filename) failed: \(error)")
            throw error
        }
        guard received > 0 else {
            writer.discard()
            throw APIError.unprocessable("empty_file", "the body is empty: send the file's bytes as the request body")
        }
        let staged: StagedBlob
        do { staged = try writer.finish(syncing: false) } catch {
            writer.discard()
            throw error
        }
        try staged.commit(to: blobs)

        // 2. Check it, reading the encrypted copy, while its bytes are flushed to disk on a thread of their own (the
        // flush of a large file took as long as a tenth of the upload); 3. record it once both are done, so no row
        // ever names a blob that a crash could lose. Any failure removes the blob.
        let blobs = self.blobs, name = staged.name
        async let flushed: Void = NIOThreadPool.singleton.runIfActive { try blobs.sync(name: name) }
        do {
            let checked = try await check(kind: kind, filename: filename, blob: staged, requestedSample: requestedSample)
            try await flushed
            let dataset = Dataset(
                id: .random(), patientID: patient, kind: kind, filename: filename, sizeBytes: staged.size, sha256: staged.sha256,
                genomeBuild: checked.build, createdAt: WallClock.millis(), createdBy: grant.principal.userID)
            let runs = analysers.filter { $0.datasetKinds.contains(kind) }.map(\.name)
            let stored = try await env.store.createDataset(
                grant, dataset, blob: .init(name: staged.name, wrappedKey: staged.wrappedKey), sampleNames: checked.samples, analysers: runs)
            struct Answer: Encodable {
                var dataset: Dataset
                var samples: [Sample]
                var runs: [AnalysisRun]
                var warnings: [String]
            }
            var headers = HTTPFields()
            headers[.location] = "/api/v1/patients/\(patient.rawValue)/datasets"
            return try JSON.response(
                Answer(dataset: stored.dataset, samples: stored.samples, runs: stored.runs, warnings: checked.warnings), status: .created, headers: headers)
        } catch {
            _ = try? blobs.remove(name: staged.name)
            try? await rejected(grant, context, "upload of \(filename) rejected: \(APIError.from(error).message)")
            throw error
        }
    }

    /// The rejected upload is on record even though nothing was stored.
    func rejected(_ grant: AccessGrant, _ context: TailorContext, _ reason: String) async throws {
        try await env.gate.recordEvent(
            actor: grant.principal.userID.rawValue, role: grant.principal.role.rawValue, action: Action.write.rawValue,
            resource: Resource.genomicData.rawValue, patientID: grant.patientID, outcome: .allow, reason: String(reason.prefix(500)),
            requestID: context.id, purpose: grant.purpose)
    }

    struct Checked {
        var build: String?
        var samples: [String]
        var warnings: [String]
    }

    /// Reads the stored file through the decrypting reader and checks it is what it claims to be.
    func check(kind: DatasetKind, filename: String, blob: StagedBlob, requestedSample: String?) async throws -> Checked {
        let file = try blobs.open(name: blob.name, wrappedKey: blob.wrappedKey, displayName: filename)
        switch kind {
        case .germlineVCF, .tumorVCF:
            return try await checkVCF(file, filename: filename, requestedSample: requestedSample)
        case .maf, .expression:
            return try checkTable(file, kind: kind, filename: filename)
        }
    }

    func checkVCF(_ file: ReadableFile, filename: String, requestedSample: String?) async throws -> Checked {
        let vcf: VCFFile
        do {
            // Every core inflates and parses: the check is most of an upload's time after the bytes arrive.
            vcf = try VCFFile(file: file, options: VCFReadOptions(threads: ProcessInfo.processInfo.activeProcessorCount))
        } catch {
            throw APIError.unprocessable("invalid_vcf", Self.describe(error, filename: filename), field: "body")
        }
        let header = vcf.header
        var warnings = header.warnings
        do {
            let outside = try PGxGenomeAnalyser.outsideCalls(in: header)
            if !outside.isEmpty {
                warnings.append(
                    "\(outside.count) PGx outside call(s) in the header (\(Set(outside.map(\.gene)).sorted().joined(separator: ", "))) are used instead of calling those genes from the variants")
            }
        } catch {
            throw APIError.unprocessable("invalid_outside_call", "\(filename): \(error)", field: "body")
        }
        let build: String
        switch header.build.build {
        case .grch38:
            build = GenomeBuild.grch38.rawValue
        case .grch37:
            throw APIError.unprocessable(
                "wrong_build",
                "\(filename) is GRCh37 (\(header.build.reason)); Tailor stores GRCh38 genomes because its knowledge (allele definitions, positions) is GRCh38: lift the file over or call it against GRCh38",
                field: "body")
        case .unknown:
            build = GenomeBuild.grch38.rawValue
            warnings.append("the header does not say which genome build this is (\(header.build.reason)); it is read as GRCh38")
        }
        guard !header.samples.isEmpty else {
            throw APIError.unprocessable("no_samples", "\(filename) has no sample columns: a patient's genome needs its genotypes", field: "body")
        }
        let sample: String
        if let requestedSample {
            guard header.sampleIndex(requestedSample) != nil else {
                throw APIError.unprocessable(
                    "unknown_sample", "sample '\(requestedSample)' is not in \(filename) (it has: \(header.samples.prefix(10).joined(separator: ", ")))",
                    field: "sample")
            }
            sample = requestedSample
        } else {
            guard header.samples.count == 1 else {
                throw APIError.unprocessable(
                    "choose_sample", "\(filename) has \(header.samples.count) samples; name this patient's with ?sample=", field: "sample")
            }
            sample = header.samples[0]
        }
        let records: Int
        do {
            // Every record's genotypes are decoded too: a GT naming an allele the record lacks is refused now, not
            // discovered by the analysis later.
            let scanHeader = header
            let (count, _) = try await vcf.scan(
                initial: 0,
                record: { (count: inout Int, view: VCFRecordView) throws(VCFError) in
                    _ = try view.genotypes(header: scanHeader)
                    count += 1
                }, merge: { $0 += $1 })
            records = count
        } catch {
            throw APIError.unprocessable("invalid_vcf", Self.describe(error, filename: filename), field: "body")
        }
        if records == 0 { warnings.append("\(filename) has no variant records") }
        return Checked(build: build, samples: [sample], warnings: warnings)
    }

    /// MAF and expression tables: a tab-separated header naming the columns analysers need.
    func checkTable(_ file: ReadableFile, kind: DatasetKind, filename: String) throws -> Checked {
        let prefix = try file.read(at: 0, count: Int(min(file.size, 1 << 20)))
        let text = String(decoding: prefix, as: UTF8.self)
        guard let headerLine = text.split(separator: "\n").first(where: { !$0.hasPrefix("#") }) else {
            throw APIError.unprocessable("invalid_table", "\(filename): no header line", field: "body")
        }
        let columns = headerLine.split(separator: "\t").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        let required = kind == .maf ? ["Hugo_Symbol", "Chromosome", "Start_Position"] : ["gene"]
        let missing = required.filter { name in !columns.contains { $0.caseInsensitiveCompare(name) == .orderedSame } }
        guard missing.isEmpty else {
            throw APIError.unprocessable(
                "invalid_table", "\(filename): the tab-separated header lacks \(missing.joined(separator: ", ")) (line 1 has \(columns.prefix(8).joined(separator: ", ")))",
                field: "body")
        }
        return Checked(build: nil, samples: [filename], warnings: [])
    }

    /// The reader's message, which already names the file and line (`genome.vcf:20: POS: …`); other errors get the name.
    static func describe(_ error: any Error, filename: String) -> String {
        let text = String(describing: error)
        return text.hasPrefix(filename) ? text : "\(filename): \(text)"
    }
}
