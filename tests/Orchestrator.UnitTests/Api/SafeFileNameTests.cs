using Microsoft.AspNetCore.Http;
using Orchestrator.Api.Jobs;

namespace Orchestrator.UnitTests.Api;

public sealed class SafeFileNameTests
{
    [Theory]
    [InlineData("input.txt", "input.txt")]
    [InlineData("../x", "x")]
    [InlineData("../../../../etc/passwd", "passwd")]
    [InlineData("a/b/c.txt", "c.txt")]
    [InlineData("/abs/path/run.sh", "run.sh")]
    [InlineData("..\\evil", "evil")]
    [InlineData("C:\\Users\\me\\data.csv", "data.csv")]
    [InlineData("dir\\sub/mixed.dat", "mixed.dat")]
    [InlineData("  padded.txt  ", "padded.txt")]
    [InlineData("...", "...")]
    [InlineData(".hidden", ".hidden")]
    [InlineData("résumé.pdf", "résumé.pdf")]
    public void Keeps_only_the_last_path_segment(string supplied, string expected)
    {
        Assert.Equal(expected, MultipartUploadReader.SafeFileName(supplied));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("a/..")]
    [InlineData("..\\..")]
    [InlineData("dir/")]
    [InlineData("dir\\")]
    [InlineData("/")]
    [InlineData("bad\u0000name")]
    [InlineData("line\nbreak")]
    [InlineData("tab\there")]
    [InlineData("bell\u0007")]
    [InlineData("del\u007f")]
    public void Rejects_names_that_are_not_a_usable_file(string supplied)
    {
        var rejected = Assert.Throws<UploadRejectedException>(() => MultipartUploadReader.SafeFileName(supplied));

        Assert.Equal(StatusCodes.Status400BadRequest, rejected.StatusCode);
        Assert.Equal("Invalid file name", rejected.Title);
        Assert.Contains(supplied, rejected.Message);
    }
}
