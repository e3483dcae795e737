using ActorPool.Cli.Download;

namespace ActorPool.Cli.Tests.Download;

public sealed class UrlListTests
{
    [Fact]
    public void Entries_must_skip_blank_lines_and_comments()
    {
        Assert.True(UrlList.IsEntry("http://a/b"));
        Assert.False(UrlList.IsEntry("   "));
        Assert.False(UrlList.IsEntry("  # a comment"));
    }

    [Fact]
    public void A_line_with_url_and_checksum_must_parse_to_a_request()
    {
        var sha = new string('A', 64);

        var request = UrlList.TryParse(new UrlLine(7, $"https://example.com/dir/file%20one.zip {sha}"), out var error);

        Assert.Null(error);
        Assert.NotNull(request);
        Assert.Equal(7, request.LineNumber);
        Assert.Equal("file one.zip", request.FileName);
        Assert.Equal(new string('a', 64), request.ExpectedSha256);
    }

    [Theory]
    [InlineData("ftp://example.com/x", "'ftp://example.com/x' is not an absolute http or https URL")]
    [InlineData("not-a-url", "'not-a-url' is not an absolute http or https URL")]
    [InlineData("http://example.com/x abc", "'abc' is not a SHA-256 (64 hex digits)")]
    [InlineData("http://example.com/x a b", "expected 'URL [SHA-256]', found 3 fields")]
    public void Bad_lines_must_be_rejected_naming_the_bad_value(string line, string expected)
    {
        var request = UrlList.TryParse(new UrlLine(3, line), out var error);

        Assert.Null(request);
        Assert.Equal(expected, error);
    }

    [Theory]
    [InlineData("http://example.com/../..", "download-4")]
    [InlineData("http://example.com/", "download-4")]
    [InlineData("http://example.com/a/b.txt?x=1", "b.txt")]
    public void File_names_must_never_escape_the_output_folder(string url, string expected) =>
        Assert.Equal(expected, UrlList.FileNameFor(new Uri(url), 4));

    [Fact]
    public async Task Counting_must_agree_with_the_lines_the_source_would_read()
    {
        using var folder = new DownloadTestFolder();
        folder.WriteUrls("# header", string.Empty, "http://a/1", "   ", "http://a/2", "#x", "bad line");

        Assert.Equal(3, await UrlList.CountEntriesAsync(folder.UrlFile, CancellationToken.None));
    }
}
