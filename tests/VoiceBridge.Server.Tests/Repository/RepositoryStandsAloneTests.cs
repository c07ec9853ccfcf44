using System.Text.RegularExpressions;

namespace VoiceBridge.Server.Tests.Repository;

/// <summary>
/// A clone must stand alone: the tests read their fixtures from tests/fixtures, nothing in the code reads or cites a
/// folder beside the repository, and every docs/ note a comment cites exists, with the section it names.
/// </summary>
public sealed partial class RepositoryStandsAloneTests
{
    // Spelled in pieces so that this file does not match itself.
    private static readonly string[] s_outsideReferences = ["../" + "shared", "..\\" + "shared", "shared" + "/protocols"];

    private static readonly string[] s_scannedFolders = ["src", "tests", "tools", "docker", "deploy", ".ci"];

    private static readonly string Root = Path.GetFullPath(Path.Combine(TestFixtures.Directory, "..", ".."));

    [Fact]
    public void NoFileReadsOrCitesAFolderBesideTheRepository()
    {
        var offenders = new List<string>();
        foreach (var file in SourceFiles())
        {
            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                if (s_outsideReferences.Any(r => lines[i].Contains(r, StringComparison.Ordinal)))
                {
                    offenders.Add($"{Path.GetRelativePath(Root, file)}:{i + 1}: {lines[i].Trim()}");
                }
            }
        }

        Assert.True(offenders.Count == 0, "outside the repository:\n" + string.Join('\n', offenders));
    }

    [Fact]
    public void EveryCitedDocsNoteExists_WithTheSectionItNames()
    {
        var broken = new List<string>();
        var citations = 0;
        foreach (var file in SourceFiles())
        {
            var text = File.ReadAllText(file);
            foreach (Match m in DocsCitation().Matches(text))
            {
                citations++;
                var line = text.AsSpan(0, m.Index).Count('\n') + 1;
                var where = $"{Path.GetRelativePath(Root, file)}:{line}: {m.Value}";
                var doc = Path.Combine(Root, m.Groups["path"].Value.Replace('/', Path.DirectorySeparatorChar));
                if (!File.Exists(doc))
                {
                    broken.Add(where + " (no such file)");
                }
                else if (m.Groups["anchor"].Success && !Anchors(doc).Contains(m.Groups["anchor"].Value))
                {
                    broken.Add(where + " (no such heading)");
                }
            }
        }

        Assert.True(broken.Count == 0, "broken docs citations:\n" + string.Join('\n', broken));
        Assert.True(citations > 0, "the scan found no docs/ citations at all; the pattern or the root is wrong");
    }

    [Fact]
    public void EveryMarkdownFileNamedInTheCodeIsInTheRepository()
    {
        // Catches citations of notes a reader of the repository cannot find (a protocol note or design note kept elsewhere).
        var markdown = Directory.EnumerateFiles(Root, "*.md", SearchOption.AllDirectories)
            .Where(file => !IsBuildOutput(file))
            .ToList();
        var names = markdown.Select(file => Path.GetFileName(file)).ToHashSet(StringComparer.Ordinal);
        var missing = new List<string>();
        foreach (var file in SourceFiles())
        {
            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                foreach (Match m in MarkdownName().Matches(lines[i]))
                {
                    var name = m.Value;
                    var found = name.Contains('/', StringComparison.Ordinal)
                        ? File.Exists(Path.Combine(Root, name)) || File.Exists(Path.Combine(Path.GetDirectoryName(file)!, name))
                        : names.Contains(name);
                    if (!found)
                    {
                        missing.Add($"{Path.GetRelativePath(Root, file)}:{i + 1}: {name}");
                    }
                }
            }
        }

        Assert.True(missing.Count == 0, "markdown files that are not in the repository:\n" + string.Join('\n', missing));
    }

    [Fact]
    public void SectionNumbersAreOnlyCitedForRfcs()
    {
        // A bare section number names a section of some document the reader must guess; only RFCs are cited that way
        // (their numbering is public and stable). docs/ notes are cited by heading anchor.
        var bare = SourceFiles()
            .SelectMany(file => File.ReadLines(file).Select((line, i) => (file, line, i)))
            .Where(x => BareSectionSign().IsMatch(x.line))
            .Select(x => $"{Path.GetRelativePath(Root, x.file)}:{x.i + 1}: {x.line.Trim()}")
            .ToList();

        Assert.True(bare.Count == 0, "section numbers without a named RFC:\n" + string.Join('\n', bare));
    }

    [Fact]
    public void EachFixtureFileIsDescribedInTheFixturesReadme_AndHasTheFramesItDescribes()
    {
        var readme = File.ReadAllText(TestFixtures.Path("README.md"));
        var rows = FixtureRow().Matches(readme).ToDictionary(m => m.Groups["file"].Value, m => m.Groups["frames"].Value);
        var files = Directory.GetFiles(TestFixtures.Directory).Select(f => Path.GetFileName(f)).Where(f => f != "README.md").Order().ToList();

        Assert.Equal(files, rows.Keys.Order().ToList());
        var described = rows.Where(r => r.Value != "–")
            .ToDictionary(r => r.Key, r => int.Parse(r.Value, System.Globalization.CultureInfo.InvariantCulture));

        // Fixture-driven theories enumerate the declared counts: the README, the declaration and the files must agree.
        Assert.Equal(described.OrderBy(d => d.Key), TestFixtures.Frames.OrderBy(d => d.Key));
        Assert.All(TestFixtures.Frames, d => Assert.True(d.Value == TestFixtures.Lines(d.Key).Length, $"{d.Key}: {TestFixtures.Lines(d.Key).Length} frames"));

        using var vectors = TestFixtures.Json("twilio-signature-vectors.json");
        Assert.Equal(TestFixtures.SignatureVectorNames, vectors.RootElement.EnumerateArray().Select(v => v.GetProperty("name").GetString() ?? "").ToList());
    }

    [Fact]
    public void EveryLinkInTheDocumentation_ReachesAFileAndTheHeadingItNames()
    {
        // The README is the front door and docs/ is behind it: a link to a moved file or a renamed heading (or to a
        // section that was never written) sends a reader nowhere. Links inside code blocks and to other sites are not
        // followed.
        var broken = new List<string>();
        var links = 0;
        foreach (var file in DocumentationFiles())
        {
            var inCode = false;
            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                if (lines[i].TrimStart().StartsWith("```", StringComparison.Ordinal))
                {
                    inCode = !inCode;
                }

                if (inCode)
                {
                    continue;
                }

                foreach (Match m in MarkdownLink().Matches(lines[i]))
                {
                    links++;
                    var where = $"{Path.GetRelativePath(Root, file)}:{i + 1}: {m.Value}";
                    var path = m.Groups["path"].Value;
                    var target = path.Length == 0 ? file : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, path));
                    if (!Path.Exists(target))
                    {
                        broken.Add(where + " (no such file)");
                    }
                    else if (m.Groups["anchor"].Success && target.EndsWith(".md", StringComparison.Ordinal) && !Anchors(target).Contains(m.Groups["anchor"].Value))
                    {
                        broken.Add(where + " (no such heading)");
                    }
                }
            }
        }

        Assert.True(broken.Count == 0, "broken links in the documentation:\n" + string.Join('\n', broken));
        Assert.True(links > 0, "the scan found no links at all; the pattern or the root is wrong");
    }

    [Fact]
    public void AMissingFixtureFailsWithThePathItLookedFor()
    {
        var e = Assert.Throws<FileNotFoundException>(() => TestFixtures.Path("no-such-fixture.json"));
        Assert.Contains("no-such-fixture.json", e.Message, StringComparison.Ordinal);
        Assert.Contains(TestFixtures.Directory, e.Message, StringComparison.Ordinal);
    }

    private static IEnumerable<string> SourceFiles() =>
        s_scannedFolders
            .Select(folder => Path.Combine(Root, folder))
            .Where(Directory.Exists)
            .SelectMany(folder => Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
            .Where(file => !IsBuildOutput(file))
            .Where(IsText);

    private static IEnumerable<string> DocumentationFiles() =>
        Directory.EnumerateFiles(Root, "*.md", SearchOption.AllDirectories)
            .Where(file => !IsBuildOutput(file));

    private static bool IsBuildOutput(string file) =>
        Path.GetRelativePath(Root, file).Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj" or "node_modules" or "TestResults" or ".git");

    private static bool IsText(string file) =>
        Path.GetExtension(file) is ".cs" or ".csproj" or ".props" or ".targets" or ".sh" or ".js" or ".mjs" or ".json"
            or ".jsonl" or ".md" or ".html" or ".css" or ".yaml" or ".yml" or ".txt" or ".sln" or ""
        || Path.GetFileName(file) is "Dockerfile" or "run";

    // GitHub's heading anchors: lower-case, punctuation other than '-' and '_' dropped, spaces to '-'.
    private static HashSet<string> Anchors(string markdown) =>
        File.ReadLines(markdown)
            .Where(line => line.StartsWith('#'))
            .Select(line => line.TrimStart('#').Trim().ToLowerInvariant())
            .Select(heading => new string(heading.Where(c => char.IsLetterOrDigit(c) || c is '-' or '_' or ' ').ToArray()).Replace(' ', '-'))
            .ToHashSet(StringComparer.Ordinal);

    [GeneratedRegex(@"(?<path>docs/[A-Za-z0-9_./-]+\.md)(?:#(?<anchor>[a-z0-9_-]+))?")]
    private static partial Regex DocsCitation();

    // [text](path#anchor) with a relative path, or (#anchor) alone; a scheme (https:, mailto:) is another site.
    [GeneratedRegex(@"\]\((?![a-z][a-z0-9+.-]*:)(?<path>[^)#\s]*)(?:#(?<anchor>[^)\s]+))?\)")]
    private static partial Regex MarkdownLink();

    [GeneratedRegex(@"(?<!RFC [0-9]+ )\u00a7")]
    private static partial Regex BareSectionSign();

    [GeneratedRegex(@"(?<![A-Za-z0-9_./-])[A-Za-z0-9_./-]*[A-Za-z0-9_-]\.md\b")]
    private static partial Regex MarkdownName();

    [GeneratedRegex(@"^\| `(?<file>[^`]+)` \| (?<frames>[0-9]+|–) \|", RegexOptions.Multiline)]
    private static partial Regex FixtureRow();
}
