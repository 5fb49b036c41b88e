console.log('actlab: coming next');
