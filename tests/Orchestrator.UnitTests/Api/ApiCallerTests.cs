using Microsoft.AspNetCore.Http;
using Orchestrator.Api.Jobs;
using Orchestrator.Api.Security;

namespace Orchestrator.UnitTests.Api;

public sealed class ApiCallerTests
{
    static JobRecord Job(int userId, string owner) =>
        new() { UserId = userId, Owner = owner, Service = "generic", State = "Queued", Directory = "/x" };

    [Fact]
    public void A_portal_sees_the_jobs_it_submitted_whatever_their_user()
    {
        var portal = new ApiCaller("portal-a", ApiRoles.Portal, null, 1);

        Assert.True(portal.CanSee(Job(1, "portal-a")));
        Assert.True(portal.CanSee(Job(99, "portal-a")));
        Assert.False(portal.CanSee(Job(1, "portal-b")));
        Assert.Equal([1, 3],
            portal.Scope(new[] { Job(1, "portal-a"), Job(2, "portal-b"), Job(3, "portal-a") }.AsQueryable()).Select(j => j.UserId).ToList());
        Assert.Equal(42, portal.UserFor(42));
    }

    [Fact]
    public void A_user_key_sees_its_own_user_and_submits_only_for_it()
    {
        var user = new ApiCaller("alice", ApiRoles.User, 7, 2);

        Assert.True(user.CanSee(Job(7, "portal-a")));
        Assert.False(user.CanSee(Job(8, "alice")));
        Assert.Equal(7, user.UserFor(null));
        Assert.Equal(7, user.UserFor(7));
        var refused = Assert.Throws<UploadRejectedException>(() => user.UserFor(8));
        Assert.Equal(StatusCodes.Status403Forbidden, refused.StatusCode);
    }

    [Fact]
    public void An_admin_sees_everything()
    {
        var admin = new ApiCaller("ops", ApiRoles.Admin, null, 3);

        Assert.True(admin.CanSee(Job(1, "portal-a")));
        Assert.True(ApiCaller.AnonymousLoopback.CanSee(Job(5, "x")));
        Assert.Null(admin.UserFor(null));
    }
}
