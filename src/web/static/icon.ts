// The site icon: a padlock, so the tab is recognisable. Served from /static/ under a content hash.
export const ICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">
<rect x="5" y="14" width="22" height="16" rx="3" fill="#0a58ca"/>
<path d="M10 14V10a6 6 0 0 1 12 0v4" fill="none" stroke="#0a58ca" stroke-width="3"/>
<circle cx="16" cy="21" r="2.5" fill="#fff"/><rect x="15" y="22" width="2" height="4" rx="1" fill="#fff"/>
</svg>
`;
