// Loads a video's player only when the visitor asks for it: until the click on its still,
// nothing is requested from YouTube or Vimeo (the still is this site's own picture). Without
// JavaScript, the still stays a link to the video on its site.
(() => {
  'use strict';

  document.addEventListener('click', (event) => {
    // A click meant to open the video elsewhere (new tab, new window) keeps doing that.
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
      return;
    }
    const link = event.target instanceof Element && event.target.closest('a[data-video-player]');
    if (!link) {
      return;
    }
    event.preventDefault();
    const player = document.createElement('iframe');
    player.src = link.dataset.videoPlayer;
    player.title = link.dataset.videoTitle || '';
    player.allow = 'autoplay; fullscreen; picture-in-picture; encrypted-media';
    player.allowFullscreen = true;
    player.referrerPolicy = 'strict-origin-when-cross-origin';
    link.replaceWith(player);
    // Keyboard and screen reader users land in the player they asked for.
    player.focus();
  });
})();
